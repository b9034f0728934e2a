/** The admin token every test node gets, and a GET that sends it (admin endpoints refuse requests without it). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export function adminGet(httpUrl: string, path: string): Promise<Response> {
  return fetch(httpUrl + path, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
}
