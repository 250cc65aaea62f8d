import type { Database } from 'better-sqlite3';
import { TerminalRepo } from './TerminalRepo.ts';
import type { TerminalInput } from './TerminalRepo.ts';
import { UserRepo } from './UserRepo.ts';
import type { UserRole } from './UserRepo.ts';
import type { ResponderKind } from '@helppoint/shared';
import { ResponderRepo } from './ResponderRepo.ts';

/**
 * Demo help points around Shichahai (什刹海), Xicheng district. Street and hutong names
 * are real; the school and kindergarten names, house numbers and exact positions are
 * illustrative, not a survey of real sites. Coordinates are WGS84.
 * The ID's middle part is the kind (SCH school, KG kindergarten, HT hutong entrance)
 * and the number runs across all kinds, as on the painted plates.
 */
export const DEMO_TERMINALS: readonly TerminalInput[] = [
  {
    id: 'XC-SCH-001', kind: 'school', name: '前海北沿小学 东门', nameEn: 'Qianhai Beiyan Primary School, east gate',
    address: '北京市西城区前海北沿12号', hutong: '前海北沿', latitude: 39.93905, longitude: 116.38992,
    notes: '东门外左侧，立杆高1.6米',
  },
  {
    id: 'XC-KG-002', kind: 'kindergarten', name: '羊房胡同幼儿园 正门', nameEn: 'Yangfang Hutong Kindergarten, main gate',
    address: '北京市西城区羊房胡同8号', hutong: '羊房胡同', latitude: 39.94012, longitude: 116.38085,
    notes: '正门右侧墙挂式，接送时段人多',
  },
  {
    id: 'XC-HT-003', kind: 'hutong', name: '烟袋斜街 东口', nameEn: 'Yandai Xiejie, east entrance',
    address: '北京市西城区烟袋斜街东口（地安门外大街路西）', hutong: '烟袋斜街', latitude: 39.94003, longitude: 116.39265,
    notes: '斜街东口北侧，面向鼓楼，立杆高1.6米',
  },
  {
    id: 'XC-SCH-004', kind: 'school', name: '柳荫街小学 正门', nameEn: 'Liuyin Jie Primary School, main gate',
    address: '北京市西城区柳荫街19号', hutong: '柳荫街', latitude: 39.93902, longitude: 116.37935,
    notes: '正门西侧，临街',
  },
  {
    id: 'XC-KG-005', kind: 'kindergarten', name: '大金丝胡同幼儿园 大门', nameEn: 'Dajinsi Hutong Kindergarten, gate',
    address: '北京市西城区大金丝胡同6号', hutong: '大金丝胡同', latitude: 39.93818, longitude: 116.38672,
    notes: '胡同窄，车辆无法进入，步行约80米',
  },
  {
    id: 'XC-HT-006', kind: 'hutong', name: '银锭桥 北侧', nameEn: 'Yinding Bridge, north side',
    address: '北京市西城区银锭桥北侧（后海南沿与前海北沿交汇处）', hutong: '银锭桥', latitude: 39.93962, longitude: 116.38931,
    notes: '桥北头东侧，夜间游客多，立杆高1.6米',
  },
  {
    id: 'XC-SCH-007', kind: 'school', name: '护国寺街小学 北门', nameEn: 'Huguosi Jie Primary School, north gate',
    address: '北京市西城区护国寺街甲3号', hutong: '护国寺街', latitude: 39.93745, longitude: 116.37965,
    notes: '北门外，靠德胜门内大街一侧',
  },
  {
    id: 'XC-KG-008', kind: 'kindergarten', name: '白米斜街幼儿园 大门', nameEn: 'Baimi Xiejie Kindergarten, gate',
    address: '北京市西城区白米斜街10号', hutong: '白米斜街', latitude: 39.93622, longitude: 116.39408,
    notes: '门口台阶三级，终端在台阶下',
  },
  {
    id: 'XC-HT-009', kind: 'hutong', name: '小金丝胡同 东口', nameEn: 'Xiaojinsi Hutong, east entrance',
    address: '北京市西城区小金丝胡同东口', hutong: '小金丝胡同', latitude: 39.93855, longitude: 116.38812,
    notes: '胡同口北侧墙挂式',
  },
  {
    id: 'XC-SCH-010', kind: 'school', name: '鼓楼西大街中学 南门', nameEn: 'Gulou Xidajie Middle School, south gate',
    address: '北京市西城区鼓楼西大街78号', hutong: '鼓楼西大街', latitude: 39.94275, longitude: 116.38775,
    notes: '南门外公交站旁，立杆高1.6米',
  },
  {
    id: 'XC-KG-011', kind: 'kindergarten', name: '鸦儿胡同幼儿园 大门', nameEn: 'Ya\'er Hutong Kindergarten, gate',
    address: '北京市西城区鸦儿胡同21号', hutong: '鸦儿胡同', latitude: 39.94138, longitude: 116.38752,
    notes: '大门东侧，门前有台阶',
  },
  {
    id: 'XC-HT-012', kind: 'hutong', name: '白米斜街 北口', nameEn: 'Baimi Xiejie, north entrance',
    address: '北京市西城区白米斜街北口（地安门外大街路西）', hutong: '白米斜街', latitude: 39.93688, longitude: 116.39502,
    notes: '斜街北口西侧，靠近什刹海站出口',
  },
  {
    id: 'XC-SCH-013', kind: 'school', name: '后海南沿小学 西门', nameEn: 'Houhai Nanyan Primary School, west gate',
    address: '北京市西城区后海南沿25号', hutong: '后海南沿', latitude: 39.93985, longitude: 116.38385,
    notes: '西门外，湖边步道一侧',
  },
  {
    id: 'XC-KG-014', kind: 'kindergarten', name: '后海北沿幼儿园 正门', nameEn: 'Houhai Beiyan Kindergarten, main gate',
    address: '北京市西城区后海北沿33号', hutong: '后海北沿', latitude: 39.94378, longitude: 116.38512,
    notes: '正门左侧，冬季湖面结冰时注意',
  },
  {
    id: 'XC-HT-015', kind: 'hutong', name: '鸦儿胡同 西口', nameEn: 'Ya\'er Hutong, west entrance',
    address: '北京市西城区鸦儿胡同西口（后海北沿）', hutong: '鸦儿胡同', latitude: 39.94168, longitude: 116.38535,
    notes: '胡同口南侧，立杆高1.6米',
  },
  {
    id: 'XC-SCH-016', kind: 'school', name: '德胜门内中学 东门', nameEn: 'Deshengmen Nei Middle School, east gate',
    address: '北京市西城区德胜门内大街95号', hutong: '德胜门内大街', latitude: 39.94312, longitude: 116.37992,
    notes: '东门外，主路车流大',
  },
  {
    id: 'XC-KG-017', kind: 'kindergarten', name: '定阜街幼儿园 大门', nameEn: 'Dingfu Jie Kindergarten, gate',
    address: '北京市西城区定阜街3号', hutong: '定阜街', latitude: 39.93598, longitude: 116.38055,
    notes: '大门北侧，近恭王府西墙',
  },
  {
    id: 'XC-HT-018', kind: 'hutong', name: '柳荫街 北口', nameEn: 'Liuyin Jie, north entrance',
    address: '北京市西城区柳荫街北口（羊房胡同交汇处）', hutong: '柳荫街', latitude: 39.94052, longitude: 116.37968,
    notes: '街口东侧，立杆高1.6米',
  },
  {
    id: 'XC-HT-019', kind: 'hutong', name: '前海西街 恭王府东侧', nameEn: 'Qianhai Xijie, east of Prince Gong\'s Mansion',
    address: '北京市西城区前海西街（恭王府东墙外）', hutong: '前海西街', latitude: 39.93655, longitude: 116.38498,
    notes: '游客集中区域，东侧墙挂式',
  },
  {
    id: 'XC-HT-020', kind: 'hutong', name: '大石碑胡同 南口', nameEn: 'Dashibei Hutong, south entrance',
    address: '北京市西城区大石碑胡同南口（鼓楼西大街）', hutong: '大石碑胡同', latitude: 39.94198, longitude: 116.39062,
    notes: '胡同口西侧，夜间照明差',
  },
];

export interface DemoUser {
  username: string;
  displayName: string;
  role: UserRole;
  /** Plaintext on purpose: the demo prints them. Never use these outside a demo. */
  password: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'officer1', displayName: '值班民警 王磊', role: 'officer', password: 'demo-officer1' },
  { username: 'officer2', displayName: '值班民警 李娜', role: 'officer', password: 'demo-officer2' },
  { username: 'supervisor', displayName: '带班所领导 张建国', role: 'supervisor', password: 'demo-supervisor' },
  { username: 'tech', displayName: '运维技术员 赵强', role: 'technician', password: 'demo-tech' },
  { username: 'field', displayName: '社区民警 陈静', role: 'field', password: 'demo-field' },
  { username: 'admin', displayName: '系统管理员', role: 'admin', password: 'demo-admin' },
];

/** Responders on phones (issue 13): one community police officer, one patrol unit. */
export const DEMO_RESPONDERS: readonly (DemoUser & { unitName: string; kind: ResponderKind })[] = [
  { username: 'responder1', displayName: '社区民警 刘洋', role: 'responder', password: 'demo-responder1', unitName: '什刹海警务室 1组', kind: 'community_police' },
  { username: 'responder2', displayName: '巡逻队员 孙伟', role: 'responder', password: 'demo-responder2', unitName: '什刹海巡逻 2号', kind: 'patrol' },
];

export interface SeedResult {
  terminalsAdded: number;
  usersAdded: number;
}

/** Adds the demo terminals and users that are missing; existing rows are left untouched. */
export async function seedDemo(db: Database, options: { now?: () => number } = {}): Promise<SeedResult> {
  const repoOptions = options.now ? { db, now: options.now } : { db };
  const terminals = new TerminalRepo(repoOptions);
  const users = new UserRepo(repoOptions);

  const addTerminals = db.transaction(() => {
    let added = 0;
    for (const t of DEMO_TERMINALS) {
      if (terminals.get(t.id)) continue;
      terminals.upsert(t);
      added++;
    }
    return added;
  });
  const terminalsAdded = addTerminals.immediate();

  let usersAdded = 0;
  for (const u of DEMO_USERS) {
    if (users.getByUsername(u.username)) continue;
    await users.create(u);
    usersAdded++;
  }
  const responders = new ResponderRepo({ db });
  for (const r of DEMO_RESPONDERS) {
    if (users.getByUsername(r.username)) continue;
    const created = await users.create(r);
    responders.setProfile(created.id, r.unitName, r.kind);
    usersAdded++;
  }
  return { terminalsAdded, usersAdded };
}
