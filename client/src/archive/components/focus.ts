/**
 * For `{@attach focusOnMount}` on a screen's heading (with tabindex="-1"): after a
 * navigation, focus and screen readers start at the new screen's title.
 */
export function focusOnMount(element: HTMLElement): void {
  queueMicrotask(() => element.focus());
}
