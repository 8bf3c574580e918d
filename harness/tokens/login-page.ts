import { type HTMLElement, parse } from 'node-html-parser';

/**
 * What a page of Keycloak's login flow asks for, read from the form ids of its login theme
 * (`themes/.../login/*.ftl`, the same in `base` and `keycloak.v2`).
 */
/** Keycloak's `loginTimeout` message (base theme, English). */
const LOGIN_RESTARTED = /login attempt timed out|login will start from the beginning/i;

export type LoginPage =
  /** `login.ftl`: username and password; `error` is the message shown after a refused attempt. */
  | {
      readonly kind: 'login';
      readonly action: string;
      readonly fields: Readonly<Record<string, string>>;
      readonly error?: string;
      /** Keycloak lost the login's session and shows the form again, starting over (its `loginTimeout` message). */
      readonly restarted?: boolean;
    }
  /** `login-otp.ftl`: the user has a one-time-password credential to enter. */
  | { readonly kind: 'otp' }
  /** A required action (`UPDATE_PASSWORD`, `CONFIGURE_TOTP`, `TERMS_AND_CONDITIONS`, …) stands in the way. */
  | { readonly kind: 'required-action'; readonly action: string }
  /** `login-oauth-grant.ftl`: the client asks the user's consent. */
  | { readonly kind: 'consent' }
  /** `error.ftl` and other pages that only say something went wrong. */
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'unknown'; readonly title: string };

/** Required actions recognised by their form, for themes that do not put the alias in the action URL. */
const REQUIRED_ACTION_FORMS: Readonly<Record<string, string>> = {
  'kc-passwd-update-form': 'UPDATE_PASSWORD',
  'kc-totp-settings-form': 'CONFIGURE_TOTP',
  'kc-update-profile-form': 'UPDATE_PROFILE',
  'kc-update-email-form': 'UPDATE_EMAIL',
  'kc-verify-email-form': 'VERIFY_EMAIL',
  'kc-terms-text': 'TERMS_AND_CONDITIONS',
  'kc-accept': 'TERMS_AND_CONDITIONS',
};

const text = (element: HTMLElement | null | undefined) => element?.textContent.replace(/\s+/g, ' ').trim() ?? '';

/** The required action a `login-actions/required-action?execution=ALIAS` URL leads to, if it is one. */
export function requiredActionOf(url: string): string | undefined {
  const parsed = new URL(url, 'http://keycloak.invalid');
  if (!parsed.pathname.endsWith('/login-actions/required-action')) return undefined;
  return parsed.searchParams.get('execution') ?? undefined;
}

/**
 * Reads a page of Keycloak's login flow. `pageUrl` resolves relative form actions. Pure: tests
 * feed it captured pages.
 */
export function classifyLoginPage(html: string, pageUrl: string): LoginPage {
  const root = parse(html);
  const byId = (id: string) => root.querySelector(`#${id}`);

  const login = byId('kc-form-login');
  if (login) {
    const fields: Record<string, string> = {};
    for (const input of login.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      if (name && input.getAttribute('type') !== 'checkbox') fields[name] = input.getAttribute('value') ?? '';
    }
    const error = text(root.querySelector('#input-error-username, #input-error, .kc-feedback-text, .alert-error, .pf-m-danger'));
    return {
      kind: 'login',
      action: new URL(login.getAttribute('action') ?? '', pageUrl).toString(),
      fields,
      ...(error ? { error } : {}),
      ...(error && LOGIN_RESTARTED.test(error) ? { restarted: true } : {}),
    };
  }
  if (byId('kc-otp-login-form') || root.querySelector('input[name="otp"]')) return { kind: 'otp' };
  if (byId('kc-oauth') || root.querySelector('form[action*="/login-actions/consent"]')) return { kind: 'consent' };

  for (const form of root.querySelectorAll('form')) {
    const alias = requiredActionOf(new URL(form.getAttribute('action') ?? '', pageUrl).toString());
    if (alias) return { kind: 'required-action', action: alias };
  }
  for (const [id, alias] of Object.entries(REQUIRED_ACTION_FORMS)) if (byId(id)) return { kind: 'required-action', action: alias };

  const error = byId('kc-error-message');
  if (error || root.querySelector('body[data-page-id="login-error"]'))
    return { kind: 'error', message: text(error) || text(byId('kc-page-title')) };
  return { kind: 'unknown', title: text(byId('kc-page-title')) || text(root.querySelector('title')) || '(no title)' };
}
