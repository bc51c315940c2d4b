import { mount } from 'svelte';
import ArchiveApp from './ArchiveApp.svelte';
import '../app.css';
import './archive.css';

const target = document.getElementById('app');
if (!target) throw new Error('conclave: #app element missing from archive.html');
export default mount(ArchiveApp, { target });
