// The form needs a well-shaped document; one typed in the code view may lack parts the server
// would fill with their defaults. This fills what is missing (never what is present).
import type { TemplateDocument } from './api.ts';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObject(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function content(raw: unknown): Obj {
  const c = obj(raw);
  return {
    ...c,
    tabs: arr(c.tabs).map(obj),
    folders: arr(c.folders),
    files: arr(c.files).map(obj),
  };
}

function plan(raw: unknown): Obj {
  const p = obj(raw);
  return {
    ...p,
    title: p.title ?? '',
    buckets: arr(p.buckets).map(obj),
    labels: arr(p.labels).map(obj),
    tasks: arr(p.tasks).map((t) => {
      const task = obj(t);
      return {
        ...task,
        title: task.title ?? '',
        bucket: task.bucket ?? '',
        checklist: arr(task.checklist).map(obj),
        labels: arr(task.labels),
        assignTo: arr(task.assignTo),
      };
    }),
  };
}

/** Whether the form can show the value at all (a document must be an object). */
export function canShowInForm(raw: unknown): boolean {
  return isObject(raw);
}

/** The document with every container the form walks present. */
export function withDefaults(raw: unknown): TemplateDocument {
  const d = obj(raw);
  const approval = obj(d.approval);
  return {
    ...d,
    schemaVersion: d.schemaVersion ?? 1,
    slug: d.slug ?? '',
    name: d.name ?? '',
    description: d.description ?? '',
    language: d.language ?? 'en',
    category: d.category ?? 'General',
    tags: arr(d.tags),
    screenshots: arr(d.screenshots),
    team: { visibility: 'private', ...obj(d.team) },
    generalChannel: content(d.generalChannel),
    channels: arr(d.channels).map((c) => ({
      membershipType: 'standard',
      isFavoriteByDefault: false,
      ownersIncludeRequester: true,
      displayName: '',
      ...content(c),
      owners: arr(obj(c).owners),
    })),
    apps: arr(d.apps).map(obj),
    planner: { ...obj(d.planner), plans: arr(obj(d.planner).plans).map(plan) },
    permanentOwners: arr(d.permanentOwners).map(obj),
    permanentMembers: arr(d.permanentMembers).map(obj),
    minimumOwners: d.minimumOwners ?? 2,
    addRequesterAsOwner: d.addRequesterAsOwner ?? true,
    guests: { allowed: false, ...obj(d.guests), allowedDomains: arr(obj(d.guests).allowedDomains) },
    naming: { displayName: '{{ request.name }}', ...obj(d.naming) },
    metadataFieldRefs: arr(d.metadataFieldRefs),
    metadataFields: arr(d.metadataFields).map(obj),
    audience: { rule: 'true', ...obj(d.audience) },
    approval: {
      reminderAfterHours: 24,
      expireAfterDays: 14,
      ...approval,
      stages: arr(approval.stages).map((s) => {
        const stage = obj(s);
        return { name: '', allowEdit: false, ...stage, approvers: arr(stage.approvers).map(obj) };
      }),
    },
  } as unknown as TemplateDocument;
}
