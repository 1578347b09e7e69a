import { simulationBatch } from './sim-batch'

simulationBatch(2)
