import type { NamingContext } from './naming-types.ts';

/** A realistic context used to render rules once when a template is saved (and for previews without a request). */
export const SAMPLE_NAMING_CONTEXT: NamingContext = {
  request: { name: 'Project Alpha', inputs: {} },
  requester: {
    displayName: 'Ada Lovelace',
    givenName: 'Ada',
    surname: 'Lovelace',
    mail: 'ada.lovelace@contoso.com',
    userPrincipalName: 'ada.lovelace@contoso.com',
    department: 'Research',
    country: 'United Kingdom',
    usageLocation: 'GB',
    jobTitle: 'Analyst',
    officeLocation: 'London',
    companyName: 'Contoso',
    city: 'London',
    state: '',
    employeeId: '1815',
  },
  metadata: {},
  now: new Date('2026-01-15T09:30:00Z'),
  template: { slug: 'project', name: 'Project' },
};
