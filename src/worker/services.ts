/** The training worker's services, built around one holder of the current student and one evaluation session. */
import { EvalSession } from '../eval/session';
import { gpuFaultForTest } from '../train/gpu-guard';
import { EvaluationService } from './evaluation';
import { ExportService } from './exports';
import { HandoffService } from './handoff';
import type { WorkerServices } from './handlers';
import { ModelLibraryService } from './model-library';
import type { Emit, WorkerContext } from './prepare';
import { StudentHolder } from './student';
import { TrainingService } from './training';
import { TeacherService } from './teacher';

export function createServices(emit: Emit): WorkerServices {
  const ctx: WorkerContext = { emit, holder: new StudentHolder(), evals: new EvalSession() };
  const teacher = new TeacherService(ctx);
  return {
    training: new TrainingService(ctx),
    evaluation: new EvaluationService(ctx, teacher),
    teacher,
    exports: new ExportService(ctx),
    handoff: new HandoffService(ctx),
    models: new ModelLibraryService(ctx),
    gpuFault: gpuFaultForTest,
  };
}
