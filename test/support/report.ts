import type { Figures, IndicatorFigure, TaskFigure } from '../../worker/domain/figures.ts';
import type { Period } from '../../worker/domain/period.ts';
import { DEFAULT_THRESHOLDS, type Indicator, type KeyTask, type Report } from '../../worker/domain/report.ts';

/** A small report for unit tests: one indicator of every kind, one task. */
export function sampleReport(overrides: Partial<Report> = {}): Report {
  const base = { lead: ['区统计局'], support: [], section: 'econ' };
  const indicators: Indicator[] = [
    { ...base, id: 'revenue', name: '一般公共预算收入', kind: 'cumulative', unit: '亿元', target: 21.5, baseline: 20.01 },
    { ...base, id: 'gdp', name: '地区生产总值', kind: 'growth', unit: '%', valueUnit: '亿元', target: 6 },
    { ...base, id: 'records', name: '居民电子健康档案建档率', kind: 'level', unit: '%', target: 92, direction: 'higher' },
    { ...base, id: 'pm25', name: 'PM2.5平均浓度', kind: 'level', unit: '微克/立方米', target: 30, direction: 'lower' },
    { ...base, id: 'unemployment', name: '城镇登记失业率', kind: 'ceiling', unit: '%', target: 4.5 },
    { ...base, id: 'sync', name: '城乡居民收入增长与经济增长同步', kind: 'qualitative', unit: '', targetText: '与经济增长基本同步' },
  ];
  const tasks: KeyTask[] = [
    { id: 'school', name: '呼市四中新址', section: 'econ', lead: ['区教育局'], support: [], milestones: { Q3: '内外装修' } },
  ];
  return {
    id: 'test-2023',
    year: 2023,
    title: '测试区2023年政府工作报告目标任务推进情况',
    document: '2023年测试区政府工作报告',
    region: '测试市测试区',
    office: '测试区人民政府办公室',
    sampleData: true,
    sampleNotice: '示例数据',
    sections: [{ id: 'econ', name: '经济发展' }],
    indicators,
    tasks,
    thresholds: DEFAULT_THRESHOLDS,
    ...overrides,
  };
}

const origin = { file: 'test.csv', row: 2 };

export function figuresOf(
  period: Period,
  indicators: Record<string, Omit<IndicatorFigure, 'indicatorId' | 'origin'>>,
  tasks: Record<string, Omit<TaskFigure, 'taskId' | 'origin'>> = {},
): Figures {
  return {
    reportId: 'test-2023',
    period,
    indicators: new Map(Object.entries(indicators).map(([id, f]) => [id, { indicatorId: id, origin, ...f }])),
    tasks: new Map(Object.entries(tasks).map(([id, f]) => [id, { taskId: id, origin, ...f }])),
    sources: ['test.csv'],
  };
}
