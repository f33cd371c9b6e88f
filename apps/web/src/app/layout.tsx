/**
 * The frame around every signed-in page: a skip link, the navigation (only what the role may use),
 * the user's name with profile and sign-out, and the page itself in <main>.
 */
import { useMutation } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { messageOf } from '../ui/errors.ts';
import { isAdmin, useUser } from './session.tsx';
import { queryClient, trpc } from './trpc.ts';

const links = [
  { href: '/', label: 'Dashboard', adminOnly: false },
  { href: '/clients', label: 'Clients', adminOnly: false },
  { href: '/tasks', label: 'Tasks', adminOnly: false },
  { href: '/audit', label: 'Audit', adminOnly: false },
  { href: '/users', label: 'Users', adminOnly: true },
] as const;

const isCurrent = (href: string, location: string) =>
  href === '/' ? location === '/' : location === href || location.startsWith(`${href}/`);

export function Layout({ children }: { children: ReactNode }) {
  const user = useUser();
  const [location, navigate] = useLocation();
  const signOut = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), null);
        navigate('/sign-in', { replace: true });
      },
    }),
  );
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Mini CRM
        </Link>
        <nav aria-label="Main">
          <ul>
            {links
              .filter((link) => !link.adminOnly || isAdmin(user))
              .map((link) => (
                <li key={link.href}>
                  <Link href={link.href} aria-current={isCurrent(link.href, location) ? 'page' : undefined}>
                    {link.label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div className="account">
          <Link href="/profile" aria-current={location === '/profile' ? 'page' : undefined}>
            {user.name} <span className="role">({user.role})</span>
          </Link>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
        </div>
      </header>
      {signOut.isError && (
        <p className="form-error" role="alert">
          {messageOf(signOut.error)}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
