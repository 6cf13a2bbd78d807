// Small DOM helpers shared by the screen and the manager app: element building, the key-entry
// form and the refusal page.
import {signIn} from './api.js';
import {t} from './i18n.js';

/** Builds an element: el('td', {class: 'x'}, 'text', child, ...). Text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** The message a person reads for a refused or failed call. */
export function refusalText(error, role) {
  switch (error.code) {
    case 'unauthenticated': return t('refused.unauthenticated');
    case 'permission_denied':
      return role === 'screen' ? t('refused.screen_key')
                               : t('refused.permission', {message: error.message});
    case 'unavailable': return t('refused.unavailable');
    case 'not_found': return t('refused.not_found', {message: error.message});
    default: return t('refused.other', {code: error.code, message: error.message});
  }
}

/** Replaces `root`'s content with a refusal page for `error` (role: the key's, when known). */
export function showRefusal(root, error, role) {
  root.replaceChildren(el('section', {class: 'refusal', role: 'alert', 'data-code': error.code},
                          el('p', {}, refusalText(error, role))));
}

/** Shows the key-entry form in `root`; resolves with what POST /session answered once a key is
 * accepted. `screen`: the wording for a TV (a read-only screen key). `error`: why it is shown. */
export function askForKey(root, {screen = false, error = null} = {}) {
  return new Promise((resolve) => {
    const input = el('input', {type: 'password', id: 'key', name: 'key', autocomplete: 'off',
                               required: true, 'aria-label': t('signin.key')});
    const message = el('p', {class: 'message', role: 'alert'},
                       error ? refusalText(error) : '');
    const form = el('form', {class: 'signin', id: 'signin'},
                    el('h1', {}, t(screen ? 'signin.screen_title' : 'signin.title')),
                    el('p', {}, t(screen ? 'signin.screen_hint' : 'signin.hint')),
                    el('label', {for: 'key'}, t('signin.key')), input,
                    el('button', {type: 'submit'}, t('signin.submit')), message);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const key = input.value.trim();
      try {
        const who = await signIn(key);
        resolve({who, key});
      } catch (e) {
        message.textContent = refusalText(e);
        form.dataset.refused = e.code;
      }
    });
    root.replaceChildren(form);
    input.focus();
  });
}
