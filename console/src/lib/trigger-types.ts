import type { Rule } from './rule-builder.ts';

export type Frequency = 'always' | 'once' | { atMostEvery: string };

export interface TriggerAction {
  type: 'function' | 'table' | 'webhook';
  function?: string;
  table?: string;
  record?: Record<string, unknown>;
  url?: string;
  frequency?: Frequency;
}

export interface Trigger {
  name: string;
  type: 'wechat_message' | 'table' | 'timer' | 'webhook';
  enabled: boolean;
  description?: string;
  condition: {
    appId?: string;
    table?: string;
    on?: string[];
    cron?: string;
    timezone?: string;
    match?: 'all' | 'any';
    rules?: Rule[];
  };
  actions: TriggerAction[];
  retry?: { attempts: number; backoff: string };
  created_at?: string;
  updated_at?: string;
}

export interface TriggerLog {
  id: string;
  trigger: string;
  triggered_at: string;
  updated_at: string;
  event_id: string | null;
  event: unknown;
  action: { index: number; type: string; function?: string };
  status: 'pending' | 'succeeded' | 'failed' | 'dead_letter';
  attempts: number;
  error_type: string | null;
  error: string | null;
  job_id: string | null;
  duration_ms: number | null;
}

export interface DryRunAnswer {
  matched: boolean;
  reasons: string[];
  rules: Array<{ index: number; matched: boolean; value?: unknown; reason?: string }>;
  actions: Array<Record<string, unknown>>;
}
