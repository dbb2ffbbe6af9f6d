import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/client';
import { login, signUp } from '../../state/actions';
import { navigate } from '../../router';
import { useAppState } from '../../state/store';

function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  const siteName = useAppState((s) => s.config.SiteName) || 'Parley';
  return (
    <main className="auth">
      <div className="auth__card">
        <div className="auth__brand" aria-hidden="true">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <span>{siteName}</span>
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [loginId, setLoginId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(loginId.trim(), password);
      onSignedIn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Log in">
      <form onSubmit={submit} className="form">
        <label>
          Username or email
          <input
            autoComplete="username"
            value={loginId}
            onChange={(e) => setLoginId(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="form__error" role="alert">
            {error}
          </p>
        )}
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="auth__switch">
        No account yet?{' '}
        <a
          href="/signup"
          onClick={(e) => {
            e.preventDefault();
            navigate('/signup');
          }}
        >
          Create one
        </a>
      </p>
    </AuthFrame>
  );
}

export function SignupPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const minLength = Number(useAppState((s) => s.config.PasswordMinimumLength)) || 8;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signUp(username.trim().toLowerCase(), email.trim(), password);
      onSignedIn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Create your account">
      <form onSubmit={submit} className="form">
        <label>
          Username
          <input
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            pattern="[A-Za-z0-9._\-]{3,22}"
            title="3 to 22 letters, digits, dots, dashes or underscores"
            required
            autoFocus
          />
        </label>
        <label>
          Email
          <input
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="new-password"
            minLength={minLength}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="form__error" role="alert">
            {error}
          </p>
        )}
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p className="auth__switch">
        Already have an account?{' '}
        <a
          href="/login"
          onClick={(e) => {
            e.preventDefault();
            navigate('/login');
          }}
        >
          Log in
        </a>
      </p>
    </AuthFrame>
  );
}
