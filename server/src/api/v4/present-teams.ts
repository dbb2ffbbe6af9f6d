/**
 * Team rows → wire objects (`@mattermost/types/teams`), as allow-lists. The invite id (a secret that
 * lets people join) and the team's e-mail reach only members who may invite and admins.
 */
import type { Team, TeamMembership, TeamStats, TeamUnread } from '@mattermost/types/teams';
import { teamMemberRoles } from '../../permissions/roles.js';
import type { TeamMemberRow, TeamRow, TeamUnreadRow } from '../../store/teams.js';

export function presentTeam(t: TeamRow, sensitive: boolean): Team {
  return {
    id: t.id,
    create_at: t.create_at,
    update_at: t.update_at,
    delete_at: t.delete_at,
    display_name: t.display_name,
    name: t.name,
    description: t.description,
    email: sensitive ? t.email : '',
    type: t.type === 'I' ? 'I' : 'O',
    company_name: t.company_name,
    allowed_domains: t.allowed_domains,
    invite_id: sensitive ? t.invite_id : '',
    allow_open_invite: t.allow_open_invite === 1,
    scheme_id: '',
    group_constrained: false,
    policy_id: null,
  };
}

export function presentTeamMember(m: TeamMemberRow): TeamMembership {
  const member = {
    team_id: m.team_id,
    user_id: m.user_id,
    roles: teamMemberRoles(m.scheme_admin === 1),
    delete_at: 0,
    scheme_guest: false,
    scheme_user: true,
    scheme_admin: m.scheme_admin === 1,
    explicit_roles: '',
    create_at: m.create_at,
  };
  // Mattermost's TeamMember carries no unread counts on the wire; those come from /teams/unread.
  return member as unknown as TeamMembership;
}

export function presentTeamUnread(u: TeamUnreadRow): TeamUnread {
  return {
    team_id: u.team_id,
    msg_count: u.msg_count,
    msg_count_root: u.msg_count_root,
    mention_count: u.mention_count,
    mention_count_root: u.mention_count_root,
    thread_count: 0,
    thread_mention_count: 0,
    thread_urgent_mention_count: 0,
  };
}

export function presentTeamStats(s: {
  team_id: string;
  total_member_count: number;
  active_member_count: number;
}): TeamStats {
  return {
    team_id: s.team_id,
    total_member_count: s.total_member_count,
    active_member_count: s.active_member_count,
  };
}
