/** The questions a generated world asks about this image, with their truth: a click puts one into the question box. */
import type { ImageQuestion } from '../../../common/contract/methods.ts';
import { ErrorPanel } from '../common/ErrorPanel.tsx';
import type { CallState } from '../common/use-call.ts';
import { questionKind, truthFor } from '../../../common/laser/truth.ts';

export function WorldQuestions({ questions, current, onPick }: { questions: CallState<ImageQuestion[]>; current: string; onPick: (question: string) => void }) {
  if (questions.status === 'loading') return null;
  if (questions.status === 'error') return <ErrorPanel title="Could not read this world's questions" error={questions.error} testId="world-questions-error" />;
  if (questions.value.length === 0) return null;
  const picked = truthFor(current, questions.value);
  return (
    <table className="data-table compact fixed" data-testid="world-questions">
      <colgroup>
        <col />
        <col style={{ width: 150 }} />
        <col style={{ width: 80 }} />
      </colgroup>
      <thead>
        <tr>
          <th>question</th>
          <th>kind</th>
          <th>truth</th>
        </tr>
      </thead>
      <tbody>
        {questions.value.map((q) => (
          <tr
            key={q.id}
            className={`clickable${picked?.id === q.id ? ' current' : ''}`}
            onClick={() => onPick(q.question)}
            data-testid="world-question"
            title={`${q.question}\nAsk this question (truth: ${q.answer}${q.box ? `; target box ${q.box.join(', ')}` : ''})`}
          >
            <td className="ellipsis">{q.question}</td>
            <td className="muted tiny">{questionKind(q)}</td>
            <td className="answer-cell ellipsis">{q.answer}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
