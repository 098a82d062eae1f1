// What the Playground tells the user: the status line, the readouts and the error area.
import { $, errorArea, formatNumber } from "../ui.js";

export const trainErrors = errorArea($("#train-error"));

export function showStatus(text) {
  $("#status").textContent = text;
}

export function showMetrics({ epoch, trainLoss, testLoss }) {
  if (epoch !== undefined) $("#epoch").textContent = Number.isInteger(epoch) ? String(epoch) : epoch.toFixed(1);
  if (trainLoss !== undefined) $("#train-loss").textContent = formatNumber(trainLoss);
  if (testLoss !== undefined) $("#test-loss").textContent = formatNumber(testLoss);
}

// A job as the API answers it (finished or cancelled): its epoch and losses.
export function showJob(job) {
  showMetrics({ epoch: job.progress.epoch, trainLoss: job.metrics.train_loss, testLoss: job.metrics.test_loss });
}
