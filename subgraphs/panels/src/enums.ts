import { registerEnumType } from 'type-graphql';

export enum PanelStatus {
  CONVENED = 'CONVENED',
  DECIDED = 'DECIDED',
}

registerEnumType(PanelStatus, { name: 'PanelStatus' });
