import { html, trusted, type Html, type HtmlValue } from './html';

export interface NavLink {
  href: string;
  label: string;
  /** The page being shown: marked aria-current. */
  current?: boolean;
}

export interface LayoutOptions {
  /** The document's <title> (also the fallback <h1> when `heading` is not given). */
  title: string;
  /** What the banner says (the product or the organisation). */
  site: string;
  heading?: string;
  lang?: string;
  nav?: readonly NavLink[];
  /** The page's content, inside <main>. */
  main: HtmlValue;
  footer?: HtmlValue;
}

// Minimal, readable, contrast above WCAG AA; no external resources (the CSP allows none).
const CSS = trusted(`
:root{color-scheme:light;--fg:#1a1a1a;--muted:#4a4a4a;--line:#c8c8c8;--accent:#0b57d0;--bg:#fff;--soft:#f3f5f8}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:var(--bg);padding:.5rem 1rem}
.skip:focus{left:1rem;z-index:1}
header,main,footer{max-width:64rem;margin:0 auto;padding:1rem 1.25rem}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline;justify-content:space-between;border-bottom:1px solid var(--line)}
header .site{font-weight:700;font-size:1.1rem;text-decoration:none;color:var(--fg)}
nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0}
nav a[aria-current="page"]{font-weight:700;text-decoration:none;color:var(--fg)}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{padding:.4rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{border-bottom:2px solid var(--fg)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tfoot th,tfoot td{font-weight:700}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.5rem 0 1rem}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;font-variant-numeric:tabular-nums}
.note{color:var(--muted)}
.chart svg{max-width:100%;height:auto;background:var(--soft)}
.chart .axis{stroke:var(--muted)}
.chart text{fill:var(--fg);font-size:11px}
footer{color:var(--muted);border-top:1px solid var(--line);margin-top:2rem;font-size:.9rem}
`);

/** A whole page: lang, title, a skip link, banner, navigation, main and footer landmarks; works without JavaScript. */
export function layout({ title, site, heading, lang = 'en', nav = [], main, footer }: LayoutOptions): Html {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${site}</title>
<style>${CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<span class="site">${site}</span>
${nav.length > 0 && html`<nav aria-label="Sections"><ul>${nav.map((link) => html`<li><a href="${link.href}"${link.current ? trusted(' aria-current="page"') : ''}>${link.label}</a></li>`)}</ul></nav>`}
</header>
<main id="main" tabindex="-1">
<h1>${heading ?? title}</h1>
${main}
</main>
<footer>${footer ?? ''}</footer>
</body>
</html>
`;
}

/**
 * Headers every page is sent with: no script may run and nothing is loaded from elsewhere (the CSP), pages are
 * never framed, cached or given away in a Referer (their URL may hold a token).
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
