/**
 * Every URL of the SPA. Pages are loaded on first visit (one chunk each), so the first screen
 * downloads only what it shows. Filters live in the query string, so a filtered list is a link.
 */
import { lazy, Suspense } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { ErrorBoundary } from '../ui/error-boundary.tsx';
import { Empty, Loading } from '../ui/states.tsx';
import { Layout } from './layout.tsx';
import { RequireUser } from './session.tsx';

const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));

const SignInPage = page(() => import('../features/auth/sign-in-page.tsx'), 'SignInPage');
const ProfilePage = page(() => import('../features/auth/profile-page.tsx'), 'ProfilePage');
const DashboardPage = page(() => import('../features/dashboard/dashboard-page.tsx'), 'DashboardPage');
const ClientsPage = page(() => import('../features/clients/clients-page.tsx'), 'ClientsPage');
const ClientPage = page(() => import('../features/clients/client-page.tsx'), 'ClientPage');
const TasksPage = page(() => import('../features/tasks/tasks-page.tsx'), 'TasksPage');
const TaskPage = page(() => import('../features/tasks/task-page.tsx'), 'TaskPage');
const AuditPage = page(() => import('../features/audit/audit-page.tsx'), 'AuditPage');
const UsersPage = page(() => import('../features/users/users-page.tsx'), 'UsersPage');

export function Routes() {
  const [path] = useLocation();
  return (
    <ErrorBoundary resetKey={path}>
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/sign-in" component={SignInPage} />
          <Route>
            <RequireUser>
              <Layout>
                <Suspense fallback={<Loading />}>
                  <Switch>
                    <Route path="/" component={DashboardPage} />
                    <Route path="/profile" component={ProfilePage} />
                    <Route path="/clients" component={ClientsPage} />
                    <Route path="/clients/:id" component={ClientPage} />
                    <Route path="/tasks" component={TasksPage} />
                    <Route path="/tasks/:id" component={TaskPage} />
                    <Route path="/audit" component={AuditPage} />
                    <Route path="/users" component={UsersPage} />
                    <Route>
                      <h1>Page not found</h1>
                      <Empty>There is nothing at this address. Use the menu above.</Empty>
                    </Route>
                  </Switch>
                </Suspense>
              </Layout>
            </RequireUser>
          </Route>
        </Switch>
      </Suspense>
    </ErrorBoundary>
  );
}
