// The prebuilt browser bundle of simple-peer carries its own Node polyfills; its API is
// the one @types/simple-peer describes.
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
