// People by name: requests, approvals and role grants store Entra object ids or sign-in names; the
// tabs show the person's display name from the directory (the raw value until it loads, or if the
// person is not found), with the sign-in name as a tooltip.
import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import { api } from '../api/client.ts';
import type { Person } from './PeoplePicker.tsx';

/** One person of the directory, by object id or UPN; cached for the session's tabs. */
export function usePerson(idOrUpn: string) {
  return useQuery({
    queryKey: ['directory', 'user', idOrUpn.toLowerCase()],
    queryFn: () => api<Person>('GET', `/directory/users/${encodeURIComponent(idOrUpn)}`),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function PersonName(props: { id: string }) {
  const person = usePerson(props.id);
  return person.data ? (
    <span title={person.data.userPrincipalName}>{person.data.displayName}</span>
  ) : (
    <span>{props.id}</span>
  );
}

/** A comma-separated list of people by name. */
export function PeopleNames(props: { ids: readonly string[] }) {
  return (
    <>
      {props.ids.map((id, i) => (
        <Fragment key={id}>
          {i > 0 ? ', ' : ''}
          <PersonName id={id} />
        </Fragment>
      ))}
    </>
  );
}
