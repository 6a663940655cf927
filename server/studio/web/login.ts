import { e } from './html';
import { dict, type Lang } from './i18n';
import { layout } from './layout';

// The login page at `/login` (the dashboard's `loginPage` is this one).

export function loginView(error: string | undefined, demo: boolean, lang: Lang = 'id'): string {
  const t = dict(lang);
  return layout({
    lang,
    root: './',
    here: '/login',
    title: t.login.title,
    demo,
    body: `<form class="login" method="post" action="login">
<h1>${e(t.login.title)}</h1>
${error ? `<p class="alert" role="alert">${e(error)}</p>` : ''}
<label for="login-user">${e(t.fields.user)}</label>
<input id="login-user" name="user" autocomplete="username" required autofocus maxlength="100">
<label for="login-password">${e(t.fields.password)}</label>
<input id="login-password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">${e(t.login.submit)}</button>
</form>`,
  });
}
