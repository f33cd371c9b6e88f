/**
 * Never a blank page: a page that throws while rendering, or whose code cannot be downloaded (an
 * open tab after a new deploy, a dropped connection), shows what happened and a way out.
 */
import { Component, type ReactNode } from 'react';

/** resetKey: when it changes (the user went to another page), a shown error is cleared. */
type Props = { resetKey: string; children: ReactNode };
type State = { error: Error | null };

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidUpdate(previous: Props) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const isLoadFailure = /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(
      error.message,
    );
    return (
      <div className="error-state" role="alert">
        <p>
          {isLoadFailure
            ? 'This page could not be loaded. The app may have been updated, or the connection dropped.'
            : 'Something went wrong while showing this page.'}
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
