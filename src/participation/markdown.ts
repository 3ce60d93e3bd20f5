// User text as safe HTML: Markdown through markdown-it with raw HTML off, then sanitize-html with a
// small allowlist (no images, no headings that would break a page's outline); links get
// rel="nofollow ugc" and only http(s) and mailto targets survive.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.disable(['heading', 'lheading', 'image', 'table', 'html_block', 'html_inline']);

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'blockquote', 'code', 'pre', 'hr', 's'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: { a: (tagName, attribs) => ({ tagName, attribs: { ...(attribs.href ? { href: attribs.href } : {}), rel: 'nofollow ugc' } }) },
};

export function renderMarkdown(text: string): string {
  return sanitizeHtml(md.render(text), OPTIONS);
}
