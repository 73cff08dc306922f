// Users and roles: create (a one-time password is shown once), change roles, disable, reset the password.
import { useState, type FormEvent } from 'react';
import { ROLES, users, type User } from '../api/admin';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

export function UsersPage() {
  const list = useAsync(() => users.list(), []);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<string>('clerk');

  const run = async (call: () => Promise<string | undefined>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await call());
      list.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const add = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const answer = await users.add({
        username: username.trim(),
        roles: [role],
        ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      });
      setUsername('');
      setDisplayName('');
      return `User ${answer.user.username} created. One-time password (shown only now): ${answer.oneTimePassword ?? '—'}`;
    });
  };
  const toggleRole = (user: User, name: string) => {
    const roles = user.roles.includes(name) ? user.roles.filter((r) => r !== name) : [...user.roles, name];
    void run(async () => {
      await users.setRoles(user.username, roles);
      return `Roles of ${user.username}: ${roles.join(', ')}.`;
    });
  };

  return (
    <section aria-label="Users">
      <h2>Users and roles</h2>
      <form className="inline" onSubmit={add} aria-label="Add user">
        <label>
          User name
          <input name="newUsername" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Display name
          <input name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          Role
          <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Add user
        </button>
      </form>
      <ErrorMessage error={list.error ?? error} onRetry={list.reload} />
      {notice && (
        <p className="success" role="status" data-testid="users-notice">
          {notice}
        </p>
      )}
      <table className="grid" data-testid="users-table">
        <thead>
          <tr>
            <th>User</th>
            <th>Name</th>
            <th>Roles</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.users ?? []).map((user) => (
            <tr key={user.id} data-username={user.username}>
              <td>{user.username}</td>
              <td>{user.displayName}</td>
              <td className="roles">
                {ROLES.map((r) => (
                  <label key={r} className="check" title={`Role ${r}`}>
                    <input
                      type="checkbox"
                      checked={user.roles.includes(r)}
                      onChange={() => toggleRole(user, r)}
                    />
                    {r}
                  </label>
                ))}
              </td>
              <td data-testid="user-state">
                {user.disabled ? 'disabled' : 'active'}
                {user.mustChangePassword ? ' · must change password' : ''}
                {user.lockedUntil && new Date(user.lockedUntil) > new Date() ? ' · locked' : ''}
              </td>
              <td className="actions">
                <button
                  type="button"
                  onClick={() =>
                    void run(async () => {
                      await users.setDisabled(user.username, !user.disabled);
                      return `${user.username} ${user.disabled ? 'enabled' : 'disabled'}.`;
                    })
                  }
                >
                  {user.disabled ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  onClick={() =>
                    void run(async () => {
                      const answer = await users.resetPassword(user.username);
                      return `Password of ${user.username} reset. One-time password (shown only now): ${answer.oneTimePassword ?? '—'}`;
                    })
                  }
                >
                  Reset password
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
