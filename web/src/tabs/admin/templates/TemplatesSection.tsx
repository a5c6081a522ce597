// Admin → Templates: /tabs/admin/templates (list), /new, /capture, /<slug>[/<view>] (the editor).
import { useTabPath } from '../../../app/router.ts';
import { CaptureTemplate, NewTemplate } from './NewTemplate.tsx';
import { TemplateEditor } from './TemplateEditor.tsx';
import { TemplateList } from './TemplateList.tsx';

/** The templates section of the Admin tab (catalog managers: templates:write). */
export default function TemplatesSection() {
  const [, page] = useTabPath();
  if (page === undefined || page === '') return <TemplateList />;
  if (page === 'new') return <NewTemplate />;
  if (page === 'capture') return <CaptureTemplate />;
  return <TemplateEditor />;
}
