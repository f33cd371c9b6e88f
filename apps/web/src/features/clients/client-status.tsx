/** A client's status as a badge: active reads as good news, a prospect as something to follow up. */
import type { ClientStatus } from '@mini-crm/models';
import { Badge, type Tone } from '../../ui/badge.tsx';
import { clientStatusLabels } from '../../ui/labels.ts';

const tones: Record<ClientStatus, Tone> = { active: 'ok', prospect: 'warn', inactive: 'neutral', archived: 'neutral' };

export function ClientStatusBadge({ status }: { status: ClientStatus }) {
  return <Badge tone={tones[status]}>{clientStatusLabels[status]}</Badge>;
}
