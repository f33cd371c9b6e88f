/** A stored web address as a link that opens in a new tab (without handing it this page), or "—". */
export function WebLink({ href }: { href: string | null }) {
  if (!href) return <span className="muted">—</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {href}
    </a>
  );
}
