export interface ProgressBarProps {
  /** 0..100 */
  value: number;
  label: string;
  /** What a screen reader says instead of the percentage ("40 of 100 files"). */
  valueText?: string;
  tone?: 'running' | 'done' | 'failed' | 'idle';
  indeterminate?: boolean;
}

export function ProgressBar({ value, label, valueText, tone = 'running', indeterminate }: ProgressBarProps) {
  const clamped = Math.min(100, Math.max(0, value));
  return (
    <div
      className={`progress progress-${tone}${indeterminate ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : clamped}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={indeterminate ? undefined : { width: `${clamped}%` }} />
    </div>
  );
}
