// The dashboard's charts, in their own chunk: @fluentui/react-charts (and d3) load only when the
// governance dashboard shows, never with the catalog.
import { HorizontalBarChartWithAxis, VerticalBarChart } from '@fluentui/react-charts';

/** One bar: its category and its value. */
export interface BarPoint {
  label: string;
  value: number;
}

const HEIGHT = 260;

/** A bar chart of categories: vertical bars for ordered axes (months, durations), horizontal for names. */
export default function BarChart(props: {
  title: string;
  points: BarPoint[];
  orientation: 'vertical' | 'horizontal';
  culture: string;
}) {
  const { title, points, orientation, culture } = props;
  if (orientation === 'horizontal') {
    return (
      <HorizontalBarChartWithAxis
        chartTitle={title}
        culture={culture}
        data={points.map((p) => ({ x: p.value, y: p.label, legend: p.label }))}
        height={Math.max(120, 36 * points.length + 60)}
        barHeight={20}
        margins={{ left: 150 }}
        noOfCharsToTruncate={22}
        showYAxisLablesTooltip
        hideLegend
        useSingleColor
        roundCorners
      />
    );
  }
  return (
    <VerticalBarChart
      chartTitle={title}
      culture={culture}
      data={points.map((p) => ({ x: p.label, y: p.value, legend: p.label }))}
      height={HEIGHT}
      hideLegend
      useSingleColor
      roundCorners
      wrapXAxisLables
      barWidth="auto"
      maxBarWidth={48}
    />
  );
}
