import { makeStyles, tokens } from '@fluentui/react-components';
import { PeopleTeamRegular } from '@fluentui/react-icons';
import { useAssetUrl } from './api.ts';

const useStyles = makeStyles({
  box: {
    display: 'inline-flex',
    alignItems: 'center',
    justifyContent: 'center',
    flexShrink: 0,
    overflow: 'hidden',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground2,
  },
  image: { width: '100%', height: '100%', objectFit: 'cover' },
});

/** A template's icon (decorative: the name is always next to it), or a team glyph without one. */
export function TemplateIcon(props: { path: string | null; size?: number }) {
  const styles = useStyles();
  const size = props.size ?? 48;
  const url = useAssetUrl(props.path);
  return (
    <span className={styles.box} style={{ width: size, height: size }} aria-hidden="true">
      {url.data ? (
        <img className={styles.image} src={url.data} alt="" />
      ) : (
        <PeopleTeamRegular fontSize={size * 0.6} />
      )}
    </span>
  );
}
