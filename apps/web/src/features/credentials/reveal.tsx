/**
 * Reveal one secret on demand. credentials.reveal is a mutation (it writes the 'decrypt' audit
 * row), so nothing fetches it on focus or prefetch. The secret lives only in this component's state:
 * never in the URL, a list's query cache or storage. It hides again after 30 seconds or on "Hide",
 * and hiding drops it from state and from the mutation.
 */
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { queryClient, trpc } from '../../app/trpc.ts';
import { messageOf } from '../../ui/errors.ts';

export const shownForSeconds = 30;

type Shown = { value: string; hidesAt: number };

export function Reveal({ credentialId, label }: { credentialId: string; label: string }) {
  const [shown, setShown] = useState<Shown | null>(null);
  const [secondsLeft, setSecondsLeft] = useState(shownForSeconds);
  const [copyMessage, setCopyMessage] = useState('');
  const revealButton = useRef<HTMLButtonElement>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  const area = useRef<HTMLDivElement>(null);
  const returnFocus = useRef(false);

  const reveal = useMutation(
    trpc.credentials.reveal.mutationOptions({
      // Forget the finished mutation (and the secret in it) as soon as nothing observes it.
      gcTime: 0,
      onSuccess: (result) => {
        if (result.value === null) {
          setCopyMessage('No secret is stored for this credential.');
          return;
        }
        setShown({ value: result.value, hidesAt: Date.now() + shownForSeconds * 1000 });
        setSecondsLeft(shownForSeconds);
        setCopyMessage('');
      },
      // Reveal writes a 'decrypt' row: the activity beside it and the audit pages change.
      onSettled: () => queryClient.invalidateQueries(trpc.audit.pathFilter()),
    }),
  );

  const hide = () => {
    returnFocus.current = area.current?.contains(document.activeElement) ?? false;
    setShown(null);
    setCopyMessage('');
    reveal.reset();
  };

  // Count down while shown; at zero the secret goes. Date.now() keeps time honest in a background tab.
  useEffect(() => {
    if (!shown) return;
    const tick = () => {
      const left = Math.ceil((shown.hidesAt - Date.now()) / 1000);
      if (left <= 0) hide();
      else setSecondsLeft(left);
    };
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [shown]);

  // Keyboard users stay in place: onto Copy when the secret appears, back to Reveal when it goes.
  useEffect(() => {
    if (shown) copyButton.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      revealButton.current?.focus();
    }
  }, [shown]);

  const copy = async () => {
    if (!shown) return;
    if (!navigator.clipboard?.writeText) {
      setCopyMessage('Copying is not available in this browser: select the secret and copy it by hand.');
      return;
    }
    try {
      await navigator.clipboard.writeText(shown.value);
      setCopyMessage('Copied.');
    } catch {
      setCopyMessage('The browser did not allow copying: select the secret and copy it by hand.');
    }
  };

  return (
    <div className="reveal" ref={area}>
      {shown ? (
        <>
          <code className="secret">{shown.value}</code>
          <div className="actions">
            <button type="button" ref={copyButton} onClick={copy}>
              Copy
            </button>
            <button type="button" onClick={hide}>
              Hide
            </button>
          </div>
          <small className="muted">Hides in {secondsLeft} s.</small>
        </>
      ) : (
        <button
          type="button"
          ref={revealButton}
          aria-label={`Reveal ${label}`}
          disabled={reveal.isPending}
          onClick={() => reveal.mutate({ id: credentialId })}
        >
          {reveal.isPending ? 'Revealing…' : 'Reveal'}
        </button>
      )}
      <span role="status" className="copy-status">
        {copyMessage}
      </span>
      {reveal.isError && (
        <p className="form-error" role="alert">
          {messageOf(reveal.error)}
        </p>
      )}
    </div>
  );
}
