import { html } from './html';
import { layout } from './layout';

describe('layout', () => {
  const page = layout({
    title: 'Invoices <2026>',
    site: 'Acme & Co',
    nav: [
      { href: '/portal', label: 'Invoices', current: true },
      { href: '/portal/usage', label: 'Usage' },
    ],
    main: html`<p>Hello</p>`,
  }).text;

  it('is a whole document with lang, title and the landmarks', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<title>Invoices &lt;2026&gt; · Acme &amp; Co</title>');
    expect(page).toContain('<a class="skip" href="#main">Skip to content</a>');
    expect(page).toContain('<nav aria-label="Sections">');
    expect(page).toContain('<main id="main" tabindex="-1">\n<h1>Invoices &lt;2026&gt;</h1>\n<p>Hello</p>');
    expect(page).toContain('<footer>');
    expect(page).not.toContain('<script');
  });

  it('marks the current page', () => {
    expect(page).toContain('<a href="/portal" aria-current="page">Invoices</a>');
    expect(page).toContain('<a href="/portal/usage">Usage</a>');
  });
});
