import { HealthStatus } from '@mini-crm/models';
import { useQuery } from '@tanstack/react-query';

/** GET /healthz answers 503 with the same body when the database is down, so both are read. */
async function fetchHealth(): Promise<HealthStatus> {
  const response = await fetch('/healthz');
  if (!response.ok && response.status !== 503) throw new Error(`the API answered ${response.status}`);
  return HealthStatus.parse(await response.json());
}

export function HealthPanel() {
  const health = useQuery({ queryKey: ['health'], queryFn: fetchHealth, refetchInterval: 5_000 });

  if (health.isPending) return <section className="status">Checking the server…</section>;
  if (health.isError) {
    return (
      <section className="status" data-state="down" role="alert">
        <strong>The API is not answering.</strong> {health.error.message}
      </section>
    );
  }
  const { database } = health.data;
  return (
    <section className="status" data-state={database.isReachable ? 'ok' : 'down'} aria-live="polite">
      <strong>{database.isReachable ? 'Everything is running.' : 'The database is not reachable.'}</strong>
      <dl>
        <dt>API</dt>
        <dd>answering</dd>
        <dt>Database</dt>
        <dd>
          {database.isReachable
            ? `PostgreSQL ${database.version} (answered in ${database.latencyMs} ms)`
            : (database.error ?? 'unreachable')}
        </dd>
      </dl>
    </section>
  );
}
