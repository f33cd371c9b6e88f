/**
 * The client list's last query string, so the client page's way back leads to the same filtered
 * list (the filters live in the URL, and the URL of the detail page cannot carry them).
 */
let lastSearch = '';

export const rememberListSearch = (search: string) => {
  lastSearch = search;
};

export const clientListHref = () => (lastSearch ? `/clients?${lastSearch}` : '/clients');
