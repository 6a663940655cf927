import { useState } from 'preact/hooks';
import { t, type MessageKey } from '@/utils/i18n';
import { checkNip } from '@/utils/protocol/nip';
import type { EnrollRequest } from '@/utils/protocol/tally';

export interface EnrolFormProps {
  /** Where the details go; shown to the user before they press Enrol. */
  tallyHost: string;
  /** OPDs named by the feed, offered as choices; any unit may be typed. */
  units: string[];
  onEnrol: (req: EnrollRequest) => Promise<{ ok: true } | { ok: false; words: [MessageKey, ...string[]] }>;
}

type Field = keyof EnrollRequest;

export function nipWords(nip: string): [MessageKey, ...string[]] | undefined {
  const r = checkNip(nip);
  if (r.ok) return undefined;
  if (r.problem === 'length') return ['nip_length', String(nip.replace(/\s+/g, '').length)];
  return [`nip_${r.problem}`];
}

export function EnrolForm(p: EnrolFormProps) {
  const [v, setV] = useState<EnrollRequest>({ nip: '', name: '', unit: '', code: '' });
  const [errors, setErrors] = useState<Partial<Record<Field, [MessageKey, ...string[]]>>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<[MessageKey, ...string[]]>();

  const input = (name: Field, label: MessageKey, extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={`e-${name}`}>{t(label)}</label>
      <input
        id={`e-${name}`}
        value={v[name]}
        aria-invalid={errors[name] !== undefined}
        aria-describedby={errors[name] ? `e-${name}-err` : undefined}
        onInput={(e) => setV((old) => ({ ...old, [name]: e.currentTarget.value }))}
        {...extra}
      />
      {errors[name] && (
        <p id={`e-${name}-err`} class="field-error">
          {t(...errors[name]!)}
        </p>
      )}
    </div>
  );

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const req: EnrollRequest = {
          nip: v.nip.replace(/\s+/g, ''),
          name: v.name.trim(),
          unit: (v.unit ?? '').trim(),
          code: v.code.trim(),
        };
        const found: Partial<Record<Field, [MessageKey, ...string[]]>> = {};
        const nip = nipWords(req.nip);
        if (nip) found.nip = nip;
        for (const f of ['name', 'unit', 'code'] as const) if (!req[f]) found[f] = ['field_required'];
        setErrors(found);
        setFailure(undefined);
        if (Object.keys(found).length > 0) return;
        setBusy(true);
        void p
          .onEnrol(req)
          .then((r) => {
            if (!r.ok) setFailure(r.words);
          })
          .finally(() => setBusy(false));
      }}
    >
      {input('nip', 'nip_label', { inputMode: 'numeric', autoComplete: 'off', maxLength: 24 })}
      {input('name', 'name_label', { autoComplete: 'name' })}
      {input('unit', 'unit_label', { list: 'units' })}
      <datalist id="units">
        {p.units.map((u) => (
          <option key={u} value={u} />
        ))}
      </datalist>
      {input('code', 'code_label', { autoComplete: 'off' })}
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
