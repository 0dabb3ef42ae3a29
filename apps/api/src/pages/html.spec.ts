import { escapeHtml, html, trusted } from './html';

describe('html', () => {
  it('escapes interpolated text, in content and attributes', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
  });

  it('keeps nested templates and trusted markup, joins arrays, drops null, undefined and booleans', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${true}${trusted('<hr>')}${0}`.text).toBe(
      '<ul><li>a&lt;b</li><li>c</li></ul><hr>0',
    );
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('plain text 12.30')).toBe('plain text 12.30');
  });
});
