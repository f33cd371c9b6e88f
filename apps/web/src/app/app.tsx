import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { HealthPanel } from '../features/health/health-panel.tsx';

const queryClient = new QueryClient();

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <main className="page">
        <h1>Mini CRM</h1>
        <HealthPanel />
      </main>
    </QueryClientProvider>
  );
}
