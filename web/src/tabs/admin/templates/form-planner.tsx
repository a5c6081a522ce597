// The template form's Planner part: plans with their buckets, labels and tasks.
import { useMessages } from '../../../i18n/index.tsx';
import type { PlannerPlan, PlannerTask, TemplateDocument } from './api.ts';
import {
  CheckField,
  FieldGrid,
  Group,
  ListField,
  NumberField,
  optional,
  Repeater,
  SelectField,
  TextField,
} from './form-parts.tsx';
import * as M from './messages.ts';

const CATEGORIES = Array.from({ length: 25 }, (_x, i) => `category${i + 1}`);

const newTask = (bucket: string): PlannerTask => ({
  title: '',
  bucket,
  checklist: [],
  labels: [],
  assignTo: [],
});

/** One task of a plan. */
function TaskFields(props: {
  plan: PlannerPlan;
  task: PlannerTask;
  path: string;
  update: (t: PlannerTask) => void;
}) {
  const t = useMessages(M);
  const { plan, task, path, update } = props;
  const buckets = plan.buckets.map((b) => ({ value: b.name, label: b.name }));
  // A task naming a bucket that no longer exists still shows it, so the issue is visible.
  if (!buckets.some((b) => b.value === task.bucket))
    buckets.unshift({ value: task.bucket, label: task.bucket || '—' });
  const assign = (who: 'requester' | 'owners', on: boolean) =>
    update({
      ...task,
      assignTo: on ? [...new Set([...task.assignTo, who])] : task.assignTo.filter((w) => w !== who),
    });
  return (
    <>
      <FieldGrid>
        <TextField
          label={t('form.taskTitle')}
          required
          value={task.title}
          path={`${path}/title`}
          onChange={(v) => update({ ...task, title: v })}
        />
        <SelectField
          label={t('form.taskBucket')}
          value={task.bucket}
          options={buckets}
          path={`${path}/bucket`}
          onChange={(v) => update({ ...task, bucket: v })}
        />
        <NumberField
          label={t('form.taskStart')}
          min={0}
          max={3650}
          value={task.startInDays}
          path={`${path}/startInDays`}
          onChange={(v) => update({ ...task, startInDays: v })}
        />
        <NumberField
          label={t('form.taskDue')}
          min={0}
          max={3650}
          value={task.dueInDays}
          path={`${path}/dueInDays`}
          onChange={(v) => update({ ...task, dueInDays: v })}
        />
        <NumberField
          label={t('form.taskPriority')}
          hint={t('form.taskPriorityHint')}
          min={0}
          max={10}
          value={task.priority}
          path={`${path}/priority`}
          onChange={(v) => update({ ...task, priority: v })}
        />
        <ListField
          label={t('form.taskLabels')}
          hint={t('form.taskLabelsHint')}
          values={task.labels}
          path={`${path}/labels`}
          onChange={(labels) => update({ ...task, labels })}
        />
      </FieldGrid>
      <TextField
        label={t('form.taskNotes')}
        multiline
        value={task.notes}
        path={`${path}/notes`}
        onChange={(v) => update({ ...task, notes: optional(v) })}
      />
      <Group legend={t('form.taskAssign')}>
        <CheckField
          label={t('form.taskAssignRequester')}
          checked={task.assignTo.includes('requester')}
          onChange={(on) => assign('requester', on)}
        />
        <CheckField
          label={t('form.taskAssignOwners')}
          checked={task.assignTo.includes('owners')}
          onChange={(on) => assign('owners', on)}
        />
      </Group>
      <ListField
        label={t('form.taskChecklist')}
        hint={t('form.oneALine')}
        separator="line"
        values={task.checklist.map((c) => c.title)}
        path={`${path}/checklist`}
        onChange={(titles) =>
          update({
            ...task,
            checklist: titles.map((title) => ({
              title,
              isChecked: task.checklist.find((c) => c.title === title)?.isChecked ?? false,
            })),
          })
        }
      />
    </>
  );
}

/** The Planner plans created for the team. */
export function PlannerSection(props: { doc: TemplateDocument; onChange: (doc: TemplateDocument) => void }) {
  const t = useMessages(M);
  const { doc, onChange } = props;
  const setPlans = (plans: PlannerPlan[]) => onChange({ ...doc, planner: { ...doc.planner, plans } });
  return (
    <Repeater
      items={doc.planner.plans}
      onChange={setPlans}
      create={() => ({ title: '', buckets: [{ name: 'To do' }], labels: [], tasks: [] })}
      itemLabel={(p, i) => t('form.planItem', { n: i + 1, name: p.title || '…' })}
      addLabel={t('form.addPlan')}
      max={10}
    >
      {(plan, update, i) => {
        const at = `/planner/plans/${i}`;
        return (
          <>
            <TextField
              label={t('form.planTitle')}
              required
              value={plan.title}
              path={`${at}/title`}
              onChange={(v) => update({ ...plan, title: v })}
            />
            <ListField
              label={t('form.planBuckets')}
              hint={t('form.oneALine')}
              separator="line"
              values={plan.buckets.map((b) => b.name)}
              path={`${at}/buckets`}
              onChange={(names) => update({ ...plan, buckets: names.map((name) => ({ name })) })}
            />
            <Group legend={t('form.planLabels')}>
              <Repeater
                items={plan.labels}
                onChange={(labels) => update({ ...plan, labels })}
                create={() => ({
                  category: CATEGORIES.find((c) => !plan.labels.some((l) => l.category === c)) ?? 'category1',
                  name: '',
                })}
                itemLabel={(l, j) => t('form.labelItem', { n: j + 1, name: l.name || l.category })}
                addLabel={t('form.addLabel')}
                max={25}
              >
                {(label, setLabel, j) => (
                  <FieldGrid>
                    <SelectField
                      label={t('form.labelCategory')}
                      value={label.category}
                      options={CATEGORIES.map((c) => ({ value: c, label: c }))}
                      path={`${at}/labels/${j}/category`}
                      onChange={(category) => setLabel({ ...label, category })}
                    />
                    <TextField
                      label={t('form.labelName')}
                      required
                      value={label.name}
                      path={`${at}/labels/${j}/name`}
                      onChange={(name) => setLabel({ ...label, name })}
                    />
                  </FieldGrid>
                )}
              </Repeater>
            </Group>
            <Group legend={t('form.planTasks')}>
              <Repeater
                items={plan.tasks}
                onChange={(tasks) => update({ ...plan, tasks })}
                create={() => newTask(plan.buckets[0]?.name ?? '')}
                itemLabel={(task, j) => t('form.taskItem', { n: j + 1, name: task.title || '…' })}
                addLabel={t('form.addTask')}
                max={500}
              >
                {(task, setTask, j) => (
                  <TaskFields plan={plan} task={task} path={`${at}/tasks/${j}`} update={setTask} />
                )}
              </Repeater>
            </Group>
          </>
        );
      }}
    </Repeater>
  );
}
