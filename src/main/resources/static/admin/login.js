// The login form posts to /admin/login with the CSRF token, fetched first (the page is static HTML); the token is
// kept in a cookie, so no session exists before signing in.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const params = new URLSearchParams(location.search);
  const message = document.getElementById('login-message');
  if (params.has('error')) {
    message.textContent = 'Wrong user or password.';
    message.hidden = false;
  } else if (params.has('logout')) {
    message.textContent = 'Signed out.';
    message.hidden = false;
  }
  try {
    const response = await fetch('csrf', {headers: {'X-Requested-With': 'XMLHttpRequest'}, credentials: 'same-origin'});
    const csrf = await response.json();
    const field = document.getElementById('csrf');
    field.name = csrf.parameterName;
    field.value = csrf.token;
    document.getElementById('sign-in').disabled = false;
  } catch (e) {
    message.textContent = 'The hub did not answer; reload the page to try again.';
    message.hidden = false;
  }
});
