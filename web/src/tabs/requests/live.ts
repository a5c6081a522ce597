// Live events of a request (`GET /requests/{id}/events`, text/event-stream). EventSource cannot
// send the bearer token, so the stream is read with fetch(); after a drop it reconnects with
// Last-Event-ID, and the server resumes the log after the last entry received.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { apiResponse } from '../../api/client.ts';
import { type LogEntry, type RequestStatus, type RunStatus, requestKey } from './api.ts';

/** One server-sent event. */
export interface StreamEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Splits a text/event-stream into events (WHATWG HTML § 9.2): `field: value` lines, a blank line
 * ends an event, `:` lines are comments. `retry` is returned as an event of its own.
 */
export function createEventParser(onEvent: (event: StreamEvent) => void) {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  const dispatch = () => {
    if (data.length > 0 || event === 'retry')
      onEvent({ event: event || 'message', data: data.join('\n'), id });
    event = '';
    data = [];
    id = undefined;
  };
  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value))
      onEvent({ event: 'retry', data: value, id: undefined });
    return undefined;
  };
  return (chunk: string) => {
    buffer += chunk;
    let at = buffer.search(/\r\n|\r|\n/);
    while (at >= 0) {
      const sep = buffer.startsWith('\r\n', at) ? 2 : 1;
      line(buffer.slice(0, at));
      buffer = buffer.slice(at + sep);
      at = buffer.search(/\r\n|\r|\n/);
    }
  };
}

export interface LiveProgress {
  status: RunStatus;
  progress: number;
  currentStep: string | null;
  teamId: string | null;
}

export interface LiveState {
  connected: boolean;
  status: RequestStatus | undefined;
  progress: LiveProgress | undefined;
  log: LogEntry[];
  done: boolean;
}

const INITIAL: LiveState = { connected: false, status: undefined, progress: undefined, log: [], done: false };

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Follows a request live while `enabled`: status, run progress and log. Cached queries of the
 * request are refreshed when its status changes and when the run ends.
 */
export function useRequestEvents(requestId: string, enabled: boolean): LiveState {
  const [state, setState] = useState<LiveState>(INITIAL);
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!enabled) return undefined;
    const controller = new AbortController();
    const { signal } = controller;
    let lastEventId: string | undefined;
    let retryMs = 2000;
    let finished = false;
    let lastStep = '';
    const refresh = () => void queryClient.invalidateQueries({ queryKey: requestKey(requestId) });

    const handle = (e: StreamEvent) => {
      if (e.id) lastEventId = e.id;
      if (e.event === 'retry') {
        retryMs = Number(e.data);
        return;
      }
      const data = JSON.parse(e.data) as Record<string, unknown>;
      if (e.event === 'log') {
        const entry = data as unknown as LogEntry;
        setState((s) => (s.log.some((l) => l.logId === entry.logId) ? s : { ...s, log: [...s.log, entry] }));
      } else if (e.event === 'status') {
        setState((s) => ({ ...s, status: data.status as RequestStatus }));
        refresh();
      } else if (e.event === 'progress') {
        const progress = data as unknown as LiveProgress;
        const step = `${progress.status}:${progress.currentStep ?? ''}`;
        // The run's steps (their titles and states) are read again when the step changes.
        if (step !== lastStep)
          void queryClient.invalidateQueries({ queryKey: [...requestKey(requestId), 'run'] });
        lastStep = step;
        setState((s) => ({ ...s, progress }));
      } else if (e.event === 'done') {
        finished = true;
        setState((s) => ({ ...s, done: true }));
        refresh();
      }
    };

    async function readOnce(): Promise<void> {
      const res = await apiResponse('GET', `/requests/${encodeURIComponent(requestId)}/events`, {
        headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        signal,
      });
      if (!res.body) return;
      setState((s) => ({ ...s, connected: true }));
      const parse = createEventParser(handle);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } finally {
        reader.releaseLock();
        setState((s) => ({ ...s, connected: false }));
      }
    }

    async function follow() {
      while (!signal.aborted && !finished) {
        try {
          await readOnce();
        } catch {
          // A dropped connection or a failed call: try again after the server's retry delay.
        }
        if (!finished) await wait(retryMs, signal);
      }
    }

    setState(INITIAL);
    void follow();
    return () => controller.abort();
  }, [requestId, enabled, queryClient]);

  return state;
}
