import { Badge, Link } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { navigate } from '../../app/router.ts';
import { useSession } from '../../app/session.tsx';
import { useMessages } from '../../i18n/index.tsx';
import type { RequestStatus } from './api.ts';
import { messages } from './messages.ts';

type Color = 'brand' | 'danger' | 'important' | 'informative' | 'severe' | 'subtle' | 'success' | 'warning';

const COLORS: Record<RequestStatus, Color> = {
  draft: 'subtle',
  pending_approval: 'warning',
  approved: 'brand',
  provisioning: 'brand',
  completed: 'success',
  completed_with_drift: 'warning',
  failed: 'danger',
  rejected: 'danger',
  cancelled: 'subtle',
  expired: 'subtle',
};

/** A request's state as a coloured badge with its words (the colour is never the only cue). */
export function StatusBadge(props: { status: RequestStatus }) {
  const t = useMessages(messages);
  return (
    <Badge appearance="tint" color={COLORS[props.status]} data-status={props.status}>
      {t(`status.${props.status}`)}
    </Badge>
  );
}

/** An in-app link the router follows (a modified click still opens a new browser tab). */
export function RouterLink(props: { to: string; children: ReactNode }) {
  return (
    <Link
      href={props.to}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </Link>
  );
}

/** A Teams deep link: through the Teams SDK inside Teams, a plain new-tab link in a browser. */
export function TeamsLink(props: { href: string; children: ReactNode }) {
  const { host } = useSession();
  return (
    <Link
      href={props.href}
      target="_blank"
      rel="noopener noreferrer"
      onClick={(event) => {
        if (host.kind !== 'teams') return;
        event.preventDefault();
        void host.openLink(props.href);
      }}
    >
      {props.children}
    </Link>
  );
}
