// The <dialog> elements of Modal and ConfirmDialog: shown as modal windows while open.

/** syncModal shows dialog as a modal window when open, and closes it when not. Attached
 * with {@attach (d) => syncModal(d, open)}, it follows every change of open. */
export function syncModal(dialog: HTMLDialogElement, open: boolean): void {
  if (open && !dialog.open) dialog.showModal();
  else if (!open && dialog.open) dialog.close();
}
