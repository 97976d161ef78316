// Asking the user for the indexer's query token when the API answers 401.
import { h } from './dom.js';

/** Shows a modal form; resolves with the token typed, or undefined when the user cancels. */
export function askForToken(rejected: boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = h('input', { attrs: { type: 'password', name: 'token', autocomplete: 'off', required: '', 'aria-label': 'query token' } });
    const cancel = h('button', { attrs: { type: 'button' } }, 'Cancel');
    const form = h(
      'form',
      { attrs: { method: 'dialog' } },
      h('h2', { attrs: { id: 'token-title' } }, 'This indexer needs a query token'),
      h(
        'p',
        null,
        rejected ? 'The token was not accepted. ' : '',
        'Enter the value of LOGSTITCH_QUERY_TOKEN the indexer was started with. It is kept for this browser tab only.',
      ),
      input,
      h('div', { class: 'dialog-buttons' }, cancel, h('button', { attrs: { type: 'submit' } }, 'Use token')),
    );
    const dialog = h('dialog', { class: 'token-dialog', attrs: { 'aria-labelledby': 'token-title' } }, form);
    const finish = (token: string | undefined) => {
      dialog.close();
      dialog.remove();
      resolve(token);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token.length > 0) finish(token);
    });
    cancel.addEventListener('click', () => finish(undefined));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(undefined);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}
