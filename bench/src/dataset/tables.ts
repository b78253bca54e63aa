/**
 * The tables the dataset fills, per subgraph, with the columns it writes and how each is stored.
 * They mirror the subgraphs' migrations (and the kit's tables); a column left out takes the
 * migration's default (`seq` of the outbox and the audit log: their order of insertion). Tables
 * are listed parents first, which is the order a batch is written in, so that every foreign key
 * finds its row.
 */
export type SubgraphName = 'cases' | 'escalations' | 'panels' | 'learning';

export const SUBGRAPHS: readonly SubgraphName[] = ['cases', 'escalations', 'panels', 'learning'];

/**
 * How a value is held in a row and stored: `time` is milliseconds since the epoch (SQLite
 * stores that integer, as MikroORM does; PostgreSQL a timestamptz), `json` a serialized string,
 * `bool` a boolean (0/1 in SQLite).
 */
export type ColumnType = 'text' | 'int' | 'bool' | 'time' | 'json';

export interface TableSpec {
  name: string;
  columns: readonly (readonly [string, ColumnType])[];
}

const table = (name: string, columns: string): TableSpec => ({
  name,
  columns: columns
    .trim()
    .split(/\s+/)
    .map((entry) => {
      const [column, type] = entry.split(':') as [string, ColumnType | undefined];
      return [column, type ?? 'text'] as const;
    }),
});

/** The kit's tables, in every subgraph's database. */
const KIT = [
  table(
    'outbox_event',
    'id type aggregate_id payload:json occurred_at:time published_at:time attempts:int',
  ),
  table('processed_event', 'consumer event_id processed_at:time'),
  table(
    'audit_entry',
    'at:time actor_kind actor_id agency_id ip correlation_id action entity_type entity_ids:json prev_hash hash',
  ),
  table('reference_counter', 'board_id prefix year:int last:int'),
];

export const TABLES: Record<SubgraphName, readonly TableSpec[]> = {
  cases: [
    table('board', 'id name region disclosure_threshold:int created_at:time'),
    table('agency', 'id board_id name kind created_at:time'),
    table(
      'practitioner',
      'id agency_id board_id name email roles:json line_manager_id active:bool version:int created_at:time external_subject',
    ),
    table('child_subject', 'id board_id name date_of_birth created_at:time'),
    table('child_identifier', 'id child_id board_id system value'),
    table(
      'case_file',
      'id reference board_id child_id plan_type lead_agency_id created_by created_at:time',
    ),
    table('case_agency', 'case_id agency_id added_by added_at:time'),
    table('panel_seat', 'panel_id practitioner_id case_id'),
    ...KIT,
  ],
  escalations: [
    table(
      'escalation_policy',
      'id board_id version:int stages:json panel_agency_count:int updated_at:time updated_by',
    ),
    table(
      'escalation',
      `id reference board_id region case_id raised_by_id raising_agency_id raising_agency_kind
       responding_agency_id responding_agency_kind respondent_id category ground summary
       desired_outcome immediate_risk:bool status policy_version:int current_stage_number:int
       current_stage_due_at:time risk_justification consulted_id raised_at:time closed_at:time
       version:int`,
    ),
    table(
      'escalation_stage',
      'id escalation_id number:int name entered_at:time due_at:time completed_at:time result entry_reason overdue_emitted_at:time',
    ),
    table(
      'escalation_record',
      'id escalation_id stage_number:int kind author_id text occurred_at:time recorded_at:time shared_with_ids:json sequence:int',
    ),
    table(
      'agreed_outcome',
      'escalation_id summary agreed_at:time agreed_at_stage:int agreed_by_id',
    ),
    table(
      'outstanding_issue',
      'id escalation_id description owner_agency_id due_date created_at:time',
    ),
    table(
      'outstanding_issue_completion',
      'issue_id escalation_id completed_by_id completed_at:time',
    ),
    table('outcome_confirmation', 'escalation_id agency_id practitioner_id confirmed_at:time'),
    table('panel_seat', 'escalation_id practitioner_id panel_id'),
    ...KIT,
  ],
  panels: [
    table(
      'resolution_panel',
      `id escalation_id board_id case_id stage_number:int raising_agency_id raising_agency_kind
       responding_agency_id responding_agency_kind status convened_by_id convened_at:time
       hearing_at:time composition_notes:json`,
    ),
    table('panel_member', 'id panel_id practitioner_id agency_id chair:bool'),
    table('representation', 'id panel_id agency_id submitted_by_id statement submitted_at:time'),
    table('panel_decision', 'panel_id summary next_course_of_action decided_at:time decided_by_id'),
    table(
      'panel_outstanding_issue',
      'id panel_id description owner_agency_id due_date position:int',
    ),
    ...KIT,
  ],
  learning: [
    table(
      'protocol_amendment',
      `id board_id title rationale theme_codes:json status proposed_by_id proposed_at:time
       decided_by_id decided_at:time implemented_by_id implemented_at:time evidence_count:int`,
    ),
    table('amendment_evidence', 'amendment_id escalation_id'),
    table('escalation_theme', 'escalation_id theme_code board_id tagged_by_id tagged_at:time'),
    table('escalation_tagging', 'escalation_id revision:int'),
    table(
      'debrief',
      'id escalation_id board_id held_at:time notes lessons:json attendee_ids:json recorded_by_id recorded_at:time',
    ),
    table(
      'stats_escalation',
      `key board_id raised_month category raising_kind responding_kind highest_stage:int
       panel:bool theme_mask:int theme_revision:int stages_completed:int stages_within:int
       outcome_working_days:int`,
    ),
    ...KIT,
  ],
};

/** A table's spec by subgraph and name; throws for a table the dataset does not write. */
export function tableSpec(db: SubgraphName, name: string): TableSpec {
  const spec = TABLES[db].find((t) => t.name === name);
  if (!spec) throw new Error(`the dataset writes no table ${db}.${name}`);
  return spec;
}

/**
 * The generated read model's rows, every column the dataset writes, in key order: what a replay
 * must rebuild exactly. Not the learning service's own bookkeeping (`row_version`, the board's
 * version at a row's last change), which a replay moves on.
 */
export const statsReadModelQuery = (): string =>
  `select ${tableSpec('learning', 'stats_escalation')
    .columns.map(([column]) => column)
    .join(', ')} from stats_escalation order by key`;

/** A row's values in the order of its table's columns. */
export type Row = unknown[];
