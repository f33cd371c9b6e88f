import { QueryClientProvider } from '@tanstack/react-query';
import { Router } from 'wouter';
import { Routes } from './routes.tsx';
import { queryClient } from './trpc.ts';

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Router>
        <Routes />
      </Router>
    </QueryClientProvider>
  );
}
