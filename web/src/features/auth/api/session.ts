import { ApiError, api } from '../../../lib/api.js';

export type SessionCheck = 'signed-in' | 'signed-out';

/** Whether the cookie still holds a session; other failures (server down) are thrown. */
export async function checkSession(): Promise<SessionCheck> {
  try {
    await api.get('/api/session');
    return 'signed-in';
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return 'signed-out';
    throw error;
  }
}

export const signIn = (password: string) => api.post('/api/session', { password });
export const signOut = () => api.delete('/api/session');
