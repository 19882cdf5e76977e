/**
 * Colours and type for charts: one set for the dark workbench, one for exported figures (white
 * paper, black ink), so an exported chart drops into a paper without restyling.
 */
export interface ChartTheme {
  background: string;
  text: string;
  muted: string;
  axis: string;
  gridLine: string;
  line: string;
  /** The chosen layer l*. */
  chosen: string;
  /** The layer selected in the views. */
  selected: string;
  /** Shading of layers outside the searched range. */
  outside: string;
  font: string;
  fontSize: number;
}

export const SCREEN_THEME: ChartTheme = {
  background: 'transparent',
  text: '#d7dae0',
  muted: '#8a919c',
  axis: '#4a505b',
  gridLine: '#2c3038',
  line: '#5b9dff',
  chosen: '#f5a524',
  selected: '#ffffff',
  outside: 'rgba(255,255,255,0.05)',
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  fontSize: 11,
};

export const EXPORT_THEME: ChartTheme = {
  background: '#ffffff',
  text: '#000000',
  muted: '#555555',
  axis: '#333333',
  gridLine: '#e5e5e5',
  line: '#0072B2',
  chosen: '#D55E00',
  selected: '#000000',
  outside: 'rgba(0,0,0,0.06)',
  font: 'Helvetica, Arial, Liberation Sans, sans-serif',
  fontSize: 11,
};
