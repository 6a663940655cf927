import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type MessageKey } from '@/utils/i18n';
import type { EnrollRequest } from '@/utils/protocol/tally';
import type { EnrolProblem } from '@/utils/sync/enrol-answer';
import { nipInput, xHandleInput, type Words } from './enrol-words';
import './enrol.css';

export type CheckResult = { ok: true; unit: string; roster: boolean } | { ok: false; words: Words };
export type EnrolResult = { ok: true } | { ok: false; problem?: EnrolProblem; words: Words };

export interface EnrolFormProps {
  /** Where the details go; shown to the user before they press Enrol. */
  tallyHost: string;
  /** Which unit the code belongs to (`POST v1/enroll/check`). */
  onCheck: (code: string) => Promise<CheckResult>;
  /** `unit` is the one shown for the code, so a code moved meanwhile is caught, not enrolled. */
  onEnrol: (req: EnrollRequest, unit: { unit: string; roster: boolean }) => Promise<EnrolResult>;
}

type Field = 'code' | 'nip' | 'name' | 'x_handle' | 'personal_code';
type Values = Record<Field, string>;

// Two steps: the code first, and the unit it belongs to shown before anything personal is typed
// or sent; then NIP, name, the optional X handle and, when the tally asks for it, the personal
// code. Every refusal is shown in words that say what to do.
export function EnrolForm(p: EnrolFormProps) {
  const [v, setV] = useState<Values>({ code: '', nip: '', name: '', x_handle: '', personal_code: '' });
  const [errors, setErrors] = useState<Partial<Record<Field, Words>>>({});
  const [checked, setChecked] = useState<{ code: string; unit: string; roster: boolean }>();
  const [needPersonal, setNeedPersonal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Words>();
  const nipRef = useRef<HTMLInputElement>(null);
  const personalRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (checked) nipRef.current?.focus();
  }, [checked]);
  useEffect(() => {
    if (needPersonal) personalRef.current?.focus();
  }, [needPersonal]);

  const input = (name: Field, label: MessageKey, extra: Record<string, unknown> = {}, help?: MessageKey) => {
    const described = [errors[name] && `e-${name}-err`, help && `e-${name}-help`].filter(Boolean).join(' ');
    return (
      <div class="field">
        <label for={`e-${name}`}>{t(label)}</label>
        <input
          id={`e-${name}`}
          value={v[name]}
          aria-invalid={errors[name] !== undefined}
          aria-describedby={described || undefined}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setV((old) => ({ ...old, [name]: value }));
          }}
          {...extra}
        />
        {help && (
          <p id={`e-${name}-help`} class="help">
            {t(help)}
          </p>
        )}
        {errors[name] && (
          <p id={`e-${name}-err`} class="field-error">
            {t(...errors[name]!)}
          </p>
        )}
      </div>
    );
  };

  const run = <R,>(work: () => Promise<R>, then: (r: R) => void) => {
    setBusy(true);
    setFailure(undefined);
    void work()
      .then(then)
      .finally(() => setBusy(false));
  };

  if (!checked) {
    return (
      <form
        noValidate
        aria-label={t('enrol_section')}
        onSubmit={(e) => {
          e.preventDefault();
          const code = v.code.trim();
          setErrors(code ? {} : { code: ['field_required'] });
          if (!code) return;
          run(
            () => p.onCheck(code),
            (r) => {
              if (r.ok) setChecked({ code, unit: r.unit, roster: r.roster });
              else setFailure(r.words);
            },
          );
        }}
      >
        <p class="help">{t('enrol_code_hint')}</p>
        {input('code', 'code_label', { autoComplete: 'off', spellcheck: false, ref: codeRef })}
        <button type="submit" disabled={busy}>
          {t('enrol_check_button')}
        </button>
        {failure && (
          <p role="alert" class="notice notice-error">
            {t(...failure)}
          </p>
        )}
      </form>
    );
  }

  return (
    <form
      noValidate
      aria-label={t('enrol_section')}
      onSubmit={(e) => {
        e.preventDefault();
        const found: Partial<Record<Field, Words>> = {};
        const nip = nipInput(v.nip);
        if (!nip.ok) found.nip = nip.words;
        const name = v.name.trim();
        if (!name) found.name = ['field_required'];
        const handle = xHandleInput(v.x_handle);
        if (!handle.ok) found.x_handle = handle.words;
        const personal = v.personal_code.trim();
        if (needPersonal && !personal) found.personal_code = ['field_required'];
        setErrors(found);
        setFailure(undefined);
        if (!nip.ok || !handle.ok || Object.keys(found).length > 0) return;
        const req: EnrollRequest = {
          nip: nip.nip,
          name,
          code: checked.code,
          unit: checked.unit,
          ...(handle.handle ? { x_handle: handle.handle } : {}),
          ...(needPersonal && personal ? { personal_code: personal } : {}),
        };
        run(
          () => p.onEnrol(req, checked),
          (r) => {
            if (r.ok) return;
            if (r.problem === 'personal_code_needed') setNeedPersonal(true);
            setFailure(r.words);
          },
        );
      }}
    >
      <p role="status" class="notice notice-ok enrol-unit">
        {t('enrol_code_unit', checked.unit)}
      </p>
      {checked.roster && <p class="help">{t('enrol_roster_note')}</p>}
      <p class="help">
        {t('enrol_not_my_unit')}{' '}
        <button
          type="button"
          class="link"
          onClick={() => {
            setChecked(undefined);
            setNeedPersonal(false);
            setFailure(undefined);
            setErrors({});
            setTimeout(() => codeRef.current?.focus(), 0);
          }}
        >
          {t('enrol_change_code')}
        </button>
      </p>
      {input('nip', 'nip_label', { inputMode: 'numeric', autoComplete: 'off', maxLength: 40, ref: nipRef }, 'nip_help')}
      {input('name', 'name_label', { autoComplete: 'name' })}
      {input('x_handle', 'x_handle_label', { autoComplete: 'off', spellcheck: false, maxLength: 60 }, 'x_handle_help')}
      {needPersonal &&
        input('personal_code', 'personal_code_label', { autoComplete: 'off', spellcheck: false, ref: personalRef }, 'personal_code_help')}
      <p class="disclosure">{t('enrol_disclosure', p.tallyHost)}</p>
      <button type="submit" disabled={busy}>
        {t('enrol_button')}
      </button>
      {failure && (
        <p role="alert" class="notice notice-error">
          {t(...failure)}
        </p>
      )}
    </form>
  );
}
