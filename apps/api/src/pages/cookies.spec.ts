import { parseCookies, serializeCookie } from './cookies';

describe('cookies', () => {
  it('reads cookies, the first of a name, decoded', () => {
    const cookies = parseCookies('a=1; tg_portal=tg_portal_ab%2Bc; a=2; junk; ="x"; q="quoted"');
    expect(cookies.get('a')).toBe('1');
    expect(cookies.get('tg_portal')).toBe('tg_portal_ab+c');
    expect(cookies.get('q')).toBe('quoted');
    expect(cookies.size).toBe(3);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('writes HttpOnly cookies with their path, age and SameSite', () => {
    expect(serializeCookie('s', 'a b', { path: '/portal', maxAge: 60.7, secure: true })).toBe(
      's=a%20b; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=60; Secure',
    );
    expect(serializeCookie('s', '', { path: '/', maxAge: 0, sameSite: 'Strict' })).toBe('s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect(() => serializeCookie('a b', 'x', { path: '/' })).toThrow(/cookie name/);
  });
});
