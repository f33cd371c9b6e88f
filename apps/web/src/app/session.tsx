/**
 * Who is signed in. auth.me is read once and kept; every page under <RequireUser> gets the user
 * from context. A 401 from any call (session expired, account deactivated) clears it, which sends
 * the browser to the sign-in page and back to where it was after signing in.
 */
import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import { ErrorState, Loading } from '../ui/states.tsx';
import { type RouterOutputs, trpc } from './trpc.ts';

export type Me = NonNullable<RouterOutputs['auth']['me']>;

const UserContext = createContext<Me | null>(null);

/** The signed-in user; only inside <RequireUser>. */
export function useUser(): Me {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser() outside <RequireUser>');
  return user;
}

export const isStaff = (user: Me) => user.role === 'admin' || user.role === 'manager';
export const isAdmin = (user: Me) => user.role === 'admin';

export const meQuery = () => trpc.auth.me.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY });

export function RequireUser({ children }: { children: ReactNode }) {
  const me = useQuery(meQuery());
  const [location] = useLocation();
  const search = useSearch();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) {
    const next = `${location}${search ? `?${search}` : ''}`;
    return <Redirect to={next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <UserContext value={me.data}>{children}</UserContext>;
}
