import { useState, type FormEvent } from 'react';
import { Dialog } from '../../common/Dialog';
import { useAppState } from '../../state/store';
import { changePassword, updateProfile } from '../../state/actions';
import { errorMessage } from '../../api/client';
import { setUi } from '../../state/ui';
import { setPrefs, usePrefs, type Theme } from './prefs';
import { askNotificationPermission } from '../notifications/notify';

export function SettingsDialog() {
  const me = useAppState((s) => s.me);
  const prefs = usePrefs();
  const [first, setFirst] = useState(me?.first_name ?? '');
  const [last, setLast] = useState(me?.last_name ?? '');
  const [nickname, setNickname] = useState(me?.nickname ?? '');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [permission, setPermission] = useState(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  const close = () => setUi({ settingsOpen: false });

  const saveProfile = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      await updateProfile({ first_name: first.trim(), last_name: last.trim(), nickname: nickname.trim() });
      setMessage('Profile saved.');
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const savePassword = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      await changePassword(current, next);
      setCurrent('');
      setNext('');
      setMessage('Password changed.');
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <Dialog title="Settings" onClose={close} wide>
      {message && (
        <p className="form__ok" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      <form className="form settings__section" onSubmit={saveProfile} aria-label="Profile">
        <h3>Profile</h3>
        <div className="form__row">
          <label>
            First name
            <input value={first} onChange={(e) => setFirst(e.target.value)} maxLength={64} />
          </label>
          <label>
            Last name
            <input value={last} onChange={(e) => setLast(e.target.value)} maxLength={64} />
          </label>
        </div>
        <label>
          Nickname
          <input value={nickname} onChange={(e) => setNickname(e.target.value)} maxLength={64} />
        </label>
        <button type="submit" className="button button--primary">
          Save profile
        </button>
      </form>
      <form className="form settings__section" onSubmit={savePassword} aria-label="Password">
        <h3>Password</h3>
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </label>
        <label>
          New password
          <input
            type="password"
            autoComplete="new-password"
            minLength={8}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        <button type="submit" className="button">
          Change password
        </button>
      </form>
      <fieldset className="settings__section">
        <legend>Theme</legend>
        {(['light', 'dark', 'system'] as Theme[]).map((t) => (
          <label key={t} className="form__check">
            <input
              type="radio"
              name="theme"
              value={t}
              checked={prefs.theme === t}
              onChange={() => setPrefs({ theme: t })}
            />
            {{ light: 'Light', dark: 'Dark', system: 'Follow the system' }[t]}
          </label>
        ))}
      </fieldset>
      <fieldset className="settings__section">
        <legend>Notifications</legend>
        <label className="form__check">
          <input
            type="checkbox"
            checked={prefs.sound}
            onChange={(e) => setPrefs({ sound: e.target.checked })}
          />
          Play a sound for mentions and direct messages
        </label>
        <label className="form__check">
          <input
            type="checkbox"
            checked={prefs.desktop}
            onChange={(e) => setPrefs({ desktop: e.target.checked })}
          />
          Desktop notifications for mentions and direct messages
        </label>
        {permission === 'default' && (
          <button
            type="button"
            className="button"
            onClick={() => void askNotificationPermission().then((p) => setPermission(p))}
          >
            Allow desktop notifications
          </button>
        )}
        {permission === 'denied' && <p className="muted">This browser blocks notifications from Parley.</p>}
      </fieldset>
    </Dialog>
  );
}
