/**
 * Sign in. After success the browser goes back to the page that sent it here (?next=), or home.
 * In development the sample data's accounts are listed, each one click from being filled in.
 */
import { LoginInput } from '@mini-crm/models';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Redirect, useLocation, useSearchParams } from 'wouter';
import { meQuery } from '../../app/session.tsx';
import { queryClient, trpc } from '../../app/trpc.ts';
import { FormError, TextField } from '../../ui/field.tsx';
import { useFormErrors } from '../../ui/form.ts';

/** Only same-site paths: ?next=https://evil.example must not redirect off the site. */
const safeNext = (next: string | null) => (next?.startsWith('/') && !next.startsWith('//') ? next : '/');

export function SignInPage() {
  const [params] = useSearchParams();
  const [, navigate] = useLocation();
  const me = useQuery(meQuery());
  const demo = useQuery(trpc.auth.demoAccounts.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY }));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useFormErrors();
  const next = safeNext(params.get('next'));

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (user) => {
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), user);
        navigate(next, { replace: true });
      },
      onError: form.fail,
    }),
  );

  if (me.data) return <Redirect to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = form.check(LoginInput, { email, password });
    if (input) login.mutate(input);
  };

  return (
    <main id="main" className="sign-in">
      <h1>Mini CRM</h1>
      <form className="card" onSubmit={submit} noValidate>
        <h2>Sign in</h2>
        <FormError message={form.formError} />
        <TextField
          label="E-mail"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={form.errors.email}
          autoFocus
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={form.errors.password}
        />
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {demo.data && demo.data.length > 0 && (
        <section className="card demo-accounts" aria-labelledby="demo-title">
          <h2 id="demo-title">Demo accounts</h2>
          <p>Sample data for development. Each uses the password “{demo.data[0]?.password}”.</p>
          <ul>
            {demo.data.map((account) => (
              <li key={account.email}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setEmail(account.email);
                    setPassword(account.password);
                  }}
                >
                  {account.email}
                </button>{' '}
                <span className="muted">
                  {account.name}, {account.role}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
