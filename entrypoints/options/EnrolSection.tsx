import { useMemo } from 'preact/hooks';
import { EnrolForm } from '@/components/EnrolForm';
import { enrolFailureWords } from '@/components/enrol-words';
import { t, uiLocale } from '@/utils/i18n';
import { sendMessage } from '@/utils/messages';
import { requestEnrolPermissions, requestOrigin } from '@/utils/settings/permissions';
import { checkEnrolCode, enrol, forgetEnrolment, type Enrolment } from '@/utils/sync/enrolment';

export interface EnrolSectionProps {
  /** The tally in force (policy > user > feed > build); undefined when none is set. */
  tallyUrl: string | undefined;
  enrolment: Enrolment | null;
  /** The tally answered 401: show the form again, the old details kept until replaced. */
  needsEnrol: boolean;
  /** Something changed (enrolled, left): read the page's state again. */
  onChanged: () => Promise<void> | void;
}

// The options page's enrolment: who this browser is enrolled as, or the form that asks the tally
// which unit a code belongs to and then enrols. Its own file, so the page around it can move.
export function EnrolSection(p: EnrolSectionProps) {
  const clock = useMemo(() => new Intl.DateTimeFormat(uiLocale(), { timeStyle: 'short' }), []);
  const { enrolment, tallyUrl } = p;

  if (enrolment && !p.needsEnrol) {
    return (
      <div>
        <p>{t('enrolled_as', enrolment.member.name, enrolment.member.unit, enrolment.member.nip, new URL(enrolment.tallyUrl).host)}</p>
        {enrolment.member.x_handle && <p class="help">{t('enrolled_x_handle', enrolment.member.x_handle)}</p>}
        <button
          type="button"
          onClick={() => {
            void forgetEnrolment().then(p.onChanged);
          }}
        >
          {t('unenrol_button')}
        </button>
        <p class="help">{t('unenrol_help')}</p>
      </div>
    );
  }
  if (!tallyUrl) return <p class="help">{t('enrol_no_tally')}</p>;

  const host = new URL(tallyUrl).host;
  const words = (f: Parameters<typeof enrolFailureWords>[0], unit?: string) =>
    enrolFailureWords(f, { host, unit, now: Date.now(), formatClock: (ms) => clock.format(ms) });

  return (
    <EnrolForm
      tallyHost={host}
      onCheck={async (code) => {
        // Only the tally's origin here: the code is not personal data, so Firefox's consent to
        // send personal data is asked at the Enrol click, once the page has said what is sent.
        // The prompt must come straight from the click (Firefox: before any await).
        if (!(await requestOrigin(tallyUrl))) return { ok: false, words: ['enrol_permission'] };
        const r = await checkEnrolCode(tallyUrl, code);
        if (r.ok) return r;
        console.warn('Siar: enrolment code check refused', r.problem, r.message ?? '');
        return { ok: false, words: words(r) };
      }}
      onEnrol={async (req, checked) => {
        if (!(await requestEnrolPermissions(tallyUrl))) return { ok: false, words: ['enrol_permission'] };
        const r = await enrol(tallyUrl, req);
        if (!r.ok) {
          console.warn('Siar: enrolment refused', r.problem, r.message ?? '');
          return { ok: false, problem: r.problem, words: words(r, checked.unit) };
        }
        await sendMessage({ type: 'sync/now' });
        await p.onChanged();
        return { ok: true };
      }}
    />
  );
}
